// The widget loader: see web/static/widget.
