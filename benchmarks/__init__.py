"""Speed and memory of the course, printed as tables (never asserted in tests)."""
