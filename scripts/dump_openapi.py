"""Write the API's OpenAPI schema for the frontend's generated types.

`python -m scripts.dump_openapi [path]` (default frontend/src/lib/api-schema.json); then
`npx openapi-typescript` turns it into `api-types.ts` (`npm run gen:api` does both).
"""

import json
import sys
from pathlib import Path

from api.main import create_app
from core.config import ROOT_DIR, Settings

DEFAULT_OUT = ROOT_DIR / "frontend" / "src" / "lib" / "api-schema.json"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    # The schema does not depend on configuration: skip .env so any checkout gives the same file.
    app = create_app(Settings(_env_file=None, environment="test"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(app.openapi(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {out.relative_to(ROOT_DIR) if out.is_relative_to(ROOT_DIR) else out}")


if __name__ == "__main__":
    main()
