"""The payment providers' notifications (Stripe, Alipay, WeChat Pay): the one prefix API Gateway sends here
(``/v1/webhooks/``, ``faka.resources.API_ROUTES``), so a provider's first notification after idle waits only for
these routes to load, not for the storefront and admin ones. The routes are ``api.payments``; errors are answered
as every function behind the gateway answers them (``api.gateway``).

No CORS: providers call from their servers, and no page of faka's posts a notification, so a browser is never
allowed to (a preflight is answered 404 ``no_route``).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver

from api import payments
from api.gateway import by_payload_format, resolver, serving

app = resolver(APIGatewayRestResolver, (payments.router,), cors=None)
# Payload format 2.0 is one shape for HTTP APIs and function URLs, as for the api function.
http_app = resolver(APIGatewayHttpResolver, (payments.router,), cors=None)
lambda_handler = serving(by_payload_format(app, http_app))
