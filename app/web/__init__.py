"""What every page and answer shares, whichever face or domain serves it.

The error pages and the app-wide error handlers, the health probes, the
security headers, and the template helpers in the reader's language. Below
the domains' views and the faces; above ``core`` only.
"""
