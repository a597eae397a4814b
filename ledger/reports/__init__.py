"""The protected reporting channel: sealed reports, their handling, identity protection.

Reports are records of the same log as personnel work (their statements are in
`ledger.reports.statements`, checked by `ledger.reports.checks`, folded by
`ledger.reports.fold`), so the retaliation guard (rule R15) sees protections as they stand.
"""
