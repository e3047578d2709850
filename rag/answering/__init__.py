"""From a question to an answer: plan, operations on the figures, writers, the numeric guard."""
