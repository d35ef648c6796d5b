"""The Powertools objects every handler and domain module shares.

Service name, namespace and log level come from POWERTOOLS_* variables set by CDK (and by the local
runtime), so nothing here is configured twice.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="faka")
tracer = Tracer(service="faka")
metrics = Metrics(namespace="faka", service="faka")
