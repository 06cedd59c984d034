"""Column names of the long score sheet, shared by every function of the library."""

from typing import Final

ENTRY: Final = "entry"
JUDGE: Final = "judge"
CRITERION: Final = "criterion"
SCORE: Final = "score"
COMPONENT: Final = "component"
TIME: Final = "time"
TEAM: Final = "team"

REQUIRED: Final = (ENTRY, JUDGE, CRITERION, SCORE)
OPTIONAL: Final = (COMPONENT, TIME, TEAM)
