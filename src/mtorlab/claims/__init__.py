"""The claims suite: the review's testable statements as executable checks."""
