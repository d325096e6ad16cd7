"""One module per family of resource forms. Importing this package registers every module in it,
so a new form is a new module here (and its tests): the pack, the checkov checks, the Terraform
plan writer and the docs read the registry."""
import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
