"""The pension personal account: its ledger, yearly interest, and the projections."""
