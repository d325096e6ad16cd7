"""A Pulumi stack's side: reading the `secure-kafka:` stack config into a platform's typed arguments
(`config`) and building that platform (`platforms`), as the project's `__main__.py` does.

May import: everything under secure_kafka but `gate`, `ops` and `cli`.
"""
