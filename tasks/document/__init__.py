"""What every engine shares about a document: its page options, lengths and bounds, who it was written for, its
resource policy and asset bundle, its fidelity report, the stages of its render and the failures a user is told."""
