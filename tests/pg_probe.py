"""Exit 0 when the PostgreSQL database at the URL given answers, 1 otherwise (used by `make pg`)."""

import sys

import psycopg


def main() -> int:
    try:
        with psycopg.connect(sys.argv[1], connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, IndexError):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
