"""The public honor wall (劳模墙)."""
