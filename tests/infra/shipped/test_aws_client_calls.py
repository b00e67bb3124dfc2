"""The code analysis behind the shipped-asset test finds clients and calls the ways the code makes them."""

from __future__ import annotations

from pathlib import Path

from aws_client_calls import analyse


def _package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_literal_mapped_and_returned_clients_and_their_operations(tmp_path):
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/handler.py": "from pkg import calls\nfrom pkg.clients import Clients\n"
            "def handler(e, c):\n    clients = Clients()\n    return calls.run(clients.sfn)\n",
            "pkg/clients.py": 'SERVICES = {"sfn": "stepfunctions"}\n'
            "def make(name):\n    import boto3\n    return boto3.client(name)\n",
            "pkg/calls.py": "def run(sfn):\n    lazy()\n    return sfn.start_execution(x=1)\n"
            "def lazy():\n    import importlib\n    importlib.import_module(f'pkg.plugins.{1}')\n",
            "pkg/plugins/__init__.py": "",
            "pkg/plugins/judge.py": "import boto3\n"
            "def make():\n    return boto3.client('bedrock-runtime')\n"
            "class J:\n    def __init__(self):\n        self._client = make()\n"
            "    def get(self):\n        return self._client\n"
            "    def ask(self):\n        client = self.get()\n"
            "        return client.converse(), client.meta\n",
            "pkg/unused.py": "import boto3\nboto3.client('sqs').send_message()\n",
        },
    )
    calls = analyse(root, {"pkg.handler"})
    assert calls.problems == []
    assert dict(calls.services) == {"stepfunctions": {"start_execution"}, "bedrock-runtime": {"converse"}}
    assert "pkg.unused" not in calls.modules


def test_a_client_whose_service_cannot_be_read_is_a_problem(tmp_path):
    root = _package(tmp_path, {"app/__init__.py": "", "app/h.py": "import boto3\nc = boto3.client(NAME)\n"})
    calls = analyse(root, {"app.h"})
    assert calls.problems and calls.problems[0].startswith("app.h:2: client(...)")


def test_an_operation_called_on_a_client_returned_by_a_call_is_found(tmp_path):
    """``self._lambda(5).invoke(...)`` (the code runner's client), ``boto3.client("sqs").send_message()``."""
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/h.py": "import boto3\n"
            "class Runner:\n    def __init__(self):\n        self._client = None\n"
            "    def _lambda(self, seconds):\n"
            "        if self._client is None:\n            self._client = boto3.client('lambda')\n"
            "        return self._client\n"
            "    def run(self):\n        return self._lambda(5).invoke(FunctionName='f')\n"
            "def send():\n    return boto3.client('sqs').send_message(QueueUrl='q', MessageBody='b')\n",
        },
    )
    calls = analyse(root, {"pkg.h"})
    assert calls.problems == []
    assert dict(calls.services) == {"lambda": {"invoke"}, "sqs": {"send_message"}}
