from istio_notebook.cli import main

raise SystemExit(main())
