"""The skills-competition journey: contest set-up and its status machine, rubrics, registration,
draws, panels, judging, review, publishing and reading published results, certificates."""
