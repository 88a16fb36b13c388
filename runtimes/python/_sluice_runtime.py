"""The invoke loop of Sluice's Python runtime: resolve the handler, wait for events, report results and errors
with the shapes and messages of AWS's Python runtime."""
import importlib
import json
import os
import sys

import _sluice_logging as lambda_logging
from _sluice_context import LambdaContext
from _sluice_rapid import RapidClient, RapidError

UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with "
    "a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(FaultException.BUILT_IN_MODULE_CONFLICT,
                                 "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR,
                             "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR,
                             "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND,
                             "Handler '{}' missing on module '{}'".format(fname, modname))


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def fault_result(exc_info, request_id=None):
    """{errorMessage, errorType, requestId, stackTrace} for an exception, without the runtime's own frames."""
    import traceback
    etype, value, tb = exc_info
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i in range(len(frames)):
        if "/_sluice_runtime.py" not in frames[i][0] and "/bootstrap.py" not in frames[i][0]:
            frames = frames[i:]
            break
    return make_error(str(value), etype.__name__, traceback.format_list(frames), request_id)


class Encoder(json.JSONEncoder):
    def default(self, obj):
        if type(obj).__name__ == "Decimal":
            if obj.is_nan():
                return float("nan")
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        return super().default(obj)


def await_assignment(client):
    """A pre-started runtime (the platform's pool) got this far without a function: wait for it, then become its
    environment. Everything after this runs as in a fresh start."""
    status, _headers, body = client.request("GET", "/sluice/v1/assignment")
    if status != 200:
        raise RapidError("Runtime API assignment answered %d: %r" % (status, body))
    assigned = json.loads(body)["env"]
    os.environ.clear()
    os.environ.update(assigned)
    # The process started in the empty directory that the function's code now covers: enter the code itself.
    os.chdir(assigned.get("LAMBDA_TASK_ROOT") or os.getcwd())
    # Startup looked for modules in /opt while it was empty and cached "nothing there": forget it (the explicit
    # clear is for Pythons before 3.10, whose invalidate_caches keeps those entries).
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()


def main():
    env = os.environ
    socket_path = env.pop("_SLUICE_RUNTIME_API_SOCKET", None)
    client = RapidClient(env.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), socket_path)
    if env.pop("_SLUICE_STANDBY", None) == "1":
        await_assignment(client)
    task_root = env.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # The script's own directory must not shadow user modules: the task root takes its place, ahead of the
    # layer directories that PYTHONPATH puts next.
    sys.path[0] = task_root
    log_format = "JSON" if (env.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON" else "TEXT"
    sink = lambda_logging.setup(log_format, (env.get("AWS_LAMBDA_LOG_LEVEL") or "").upper())
    execution_env = env.get("AWS_EXECUTION_ENV", "")
    minor = execution_env.rpartition("python3.")[2]
    encoder = Encoder(ensure_ascii=not (minor.isdigit() and int(minor) >= 12))

    try:
        request_handler = get_handler(env.get("_HANDLER", ""))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
        return report_init_error(client, sink, log_format, error)
    except Exception:
        return report_init_error(client, sink, log_format, fault_result(sys.exc_info()))

    current = lambda_logging.current
    while True:
        headers, body = client.next()
        request_id = headers.get("lambda-runtime-aws-request-id")
        tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        current["request_id"] = request_id
        current["tenant_id"] = tenant_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            env["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in env:
            del env["_X_AMZN_TRACE_ID"]
        handle_event(client, request_handler, request_id, tenant_id, headers, body, encoder, sink, log_format)


def report_init_error(client, sink, log_format, error):
    import logging
    logging.warning(UNHANDLED_WARNING)
    lambda_logging.log_error(error, sink, log_format)
    client.post_init_error(json.dumps(error), error["errorType"])
    return 1


def parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
                             "Unable to parse {} JSON: {}".format(name, str(e)))


def handle_event(client, request_handler, request_id, tenant_id, headers, body, encoder, sink, log_format):
    error = None
    try:
        client_context = headers.get("lambda-runtime-client-context")
        cognito = headers.get("lambda-runtime-cognito-identity")
        context = LambdaContext(
            request_id,
            parse_json_header(client_context, "Client Context") if client_context else None,
            parse_json_header(cognito, "Cognito Identity") if cognito else None,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            tenant_id,
        )
        content_type = headers.get("content-type", "application/json")
        if content_type == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)))
        else:
            event = body
        response = request_handler(event, context)
        if isinstance(response, bytes):
            result, result_type = response, "application/unknown"
        else:
            try:
                result, result_type = encoder.encode(response).encode("utf-8"), "application/json"
            except Exception as e:
                raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)))
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception:
        error = fault_result(sys.exc_info(), request_id)

    if error is not None:
        lambda_logging.log_error(error, sink, log_format)
        client.post_error(request_id, encoder.encode(error))
    else:
        client.post_response(request_id, result, result_type)
