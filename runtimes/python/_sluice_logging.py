"""Logging set up as AWS's Python runtime: the root logger writes `[LEVEL]\\t<time>\\t<request id>\\t<message>` lines
(or one JSON object per line with AWS_LAMBDA_LOG_FORMAT=JSON) to stdout; stdout/stderr are unbuffered."""
import json
import logging
import sys
import time
from datetime import datetime, timezone

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
ERROR_LINE_SEPARATOR = "\r"
ERROR_INDENT = "\u00a0"  # NO-BREAK SPACE: keeps the traceback's indentation visible in one log event

_RESERVED = {
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
    "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type", "taskName",
}

current = {"request_id": None, "tenant_id": None}


class Unbuffered(object):
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class StdoutSink(object):
    def log(self, msg):
        sys.stdout.write(msg)

    def log_error(self, lines):
        sys.stdout.write(ERROR_LINE_SEPARATOR.join(lines) + "\n")


class LambdaLoggerHandler(logging.Handler):
    def __init__(self, log_sink):
        logging.Handler.__init__(self)
        self.log_sink = log_sink

    def emit(self, record):
        self.log_sink.log(self.format(record))


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = current["request_id"] or ""
        record.tenant_id = current["tenant_id"]
        return True


def _level_bucket(record):
    return min(50, max(0, record.levelno)) // 10 * 10


class JsonFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(datefmt=DATETIME_FORMAT)

    def formatTime(self, record, datefmt=None):
        dt = datetime.fromtimestamp(record.created, tz=timezone.utc)
        return dt.strftime(DATETIME_FORMAT + ".%f")[:-3] + "Z"

    def format(self, record):
        record.levelno = _level_bucket(record)
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        if exc:
            import traceback
            stack = traceback.format_tb(exc[2])
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": stack if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        result.update((k, v) for k, v in record.__dict__.items() if k not in _RESERVED and k not in result)
        result = {k: v for k, v in result.items() if v is not None}
        return json.dumps(result, ensure_ascii=False, default=str) + "\n"


def setup(log_format, log_level):
    """Installs the root handler; returns the sink runtime errors are written to."""
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    sink = StdoutSink()
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler(sink)
    if log_format == "JSON":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", DATETIME_FORMAT))
    level = {"": "", "TRACE": "DEBUG"}.get(log_level, log_level)
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)
    return sink


def _indent(line):
    n = len(line) - len(line.lstrip(" "))
    return ERROR_INDENT * n + line[n:]


def log_error(error_result, sink, log_format):
    """How AWS's runtime logs an error it reports: `[ERROR] Type: message` + the traceback, one log event."""
    if log_format == "JSON":
        record = {"timestamp": time.strftime(DATETIME_FORMAT, time.gmtime()), "level": "ERROR"}
        record.update(error_result)
        sink.log_error([json.dumps(record)])
        return
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    trace = error_result.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(_indent(line) for line in element.splitlines())
    sink.log_error(lines)
