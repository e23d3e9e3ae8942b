"""The requests domain's repository: every line of its SQL, by the table it reads or writes.

``requests`` reads and writes service_request (and the war room's view of a request),
``events`` request_event, ``catalogue`` service_type, ``imports`` the bulk COPY path of an
import, and ``standards`` renders the service standards' breach rule to SQL fragments.
"""
