"""Every model module, imported so `Base.metadata` is complete (Alembic reads it).

Each area adds one import line here for its module.
"""

from npdesk.store.models import cables as cables
from npdesk.store.models import cases as cases
from npdesk.store.models import desk as desk
from npdesk.store.models import releases as releases
from npdesk.store.models import screening as screening
from npdesk.store.models import security as security
