"""python -m secure_kafka.gate ... : the same as `secure-kafka preview ...` (kept for old scripts)."""
import sys
from typing import Optional

from ..cli import main as cli_main


def main(argv: Optional[list[str]] = None) -> int:
    return cli_main(["preview", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
