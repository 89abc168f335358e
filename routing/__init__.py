"""The OR-Tools planner: a pure library (no database, no web, no settings).

It grows in issue 3; dispatch/ hands it problems and reads back plans.
"""
