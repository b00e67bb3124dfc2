"""Run inside a clean interpreter (``python -I -S asset_probe.py ASSET SPEC_JSON``): the Lambda layout.

Only the asset folder and the standard library are importable, as in the Lambda runtime (whose own
boto3 is not here: an asset that needs botocore must bring it). Imports every handler, then creates
every listed client with the asset's own botocore and lists the operations it does not have.
Prints one JSON object.
"""

import importlib
import json
import sys

asset, spec = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, asset)
report = {"handlers": {}, "botocore": None, "services": {}}
for handler in spec["handlers"]:
    module, _, function = handler.rpartition(".")
    try:
        found = getattr(importlib.import_module(module), function)
        report["handlers"][handler] = "ok" if callable(found) else "not callable"
    except Exception as problem:  # report every handler, not just the first failure
        report["handlers"][handler] = f"{type(problem).__name__}: {problem}"
try:
    import botocore
    import botocore.session
except ImportError:
    pass
else:
    report["botocore"] = botocore.__file__
    session = botocore.session.get_session()
    for service, operations in spec["services"].items():
        try:
            client = session.create_client(
                service, region_name="us-east-1", aws_access_key_id="probe", aws_secret_access_key="probe"
            )
        except Exception as problem:
            report["services"][service] = f"{type(problem).__name__}: {problem}"
            continue
        report["services"][service] = sorted(op for op in operations if not hasattr(client, op))
print(json.dumps(report))
