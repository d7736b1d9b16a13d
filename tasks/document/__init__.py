"""What every engine shares about a document: its lengths and page bounds, who it was written for."""
