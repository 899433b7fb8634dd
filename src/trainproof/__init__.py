"""trainproof: KnowBe4 training data turned into audit-ready compliance decisions and evidence."""

__version__ = "0.1.0"
