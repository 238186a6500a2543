"""The tamper-evident decision log: every decision a channel asked for, hash-chained in the store.

`DecisionLog.open(url)` opens (and migrates) the log; `append(records)` writes a batch in one write
transaction and returns the sequence numbers; `verify()` walks the chain and names every record that was
edited, deleted, inserted or reordered."""
from engine.ledger.log import DecisionLog
from engine.ledger.records import GENESIS, LogRecord, record_hash
from engine.ledger.verify import Problem, verify_rows

__all__ = ["GENESIS", "DecisionLog", "LogRecord", "Problem", "record_hash", "verify_rows"]
