# checkov loads the checks of a folder only when it has an __init__.py.
