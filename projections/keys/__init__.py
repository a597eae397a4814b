"""The key registry as a read model: who holds which key, role and unit scope, for inspection."""
