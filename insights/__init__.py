"""The insights report for the people who run the assistant: what it answers, what
it cannot, and how often people are in crisis, from the conversation store,
without showing any conversation (`make report`, python -m insights)."""
