"""Planning a day: the planner in a process of its own, and the plans it makes."""
