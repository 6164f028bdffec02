"""A TAXII 2.1 server at /taxii2/ (OASIS TAXII Version 2.1, sections 4 and 5).

One API root (`/taxii2/api/`) with these collections, listed only to those who may read or
write them:

- "Intelligence exchange" (`EXCHANGE`): everything shared with the reader's organisation that
  the reader may see under the access policy; a registered peer adds signed bundles here.
- one read-only collection per sharing group the reader's organisation belongs to: the part of
  the exchange that the group's organisations originated, with the definitions it uses.

Authentication is a bearer token (the API's). Objects and manifests page by `limit` and `next`
and filter by `added_after`, `match[id]`, `match[type]`, `match[version]` and
`match[spec_version]`; responses carry X-TAXII-Date-Added-First/Last. Every page served is
signed as the peers' bundles are (signing.py), and every read of objects, one object, its
versions or a manifest is audited as an export.

Each resource answers only the methods sections 4 and 5 give it (405 with an Allow header
otherwise); every error, including an unknown path under /taxii2/, is a TAXII error message
in the TAXII media type.
"""

from concord.intelligence.taxii.protocol import EXCHANGE, NAMESPACE, STIX, TAXII, stamp

__all__ = ["EXCHANGE", "NAMESPACE", "STIX", "TAXII", "stamp"]
