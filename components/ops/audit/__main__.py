"""python -m secure_kafka.ops.audit (also installed as the console command `secure-kafka-audit`)."""
import sys

from . import main

sys.exit(main())
