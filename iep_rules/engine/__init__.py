"""evaluate(): the rules in force run against a case's facts by a backend (Python or Rete)."""
