"""The war room's live board: the views it shows, the data it loads, the event stream."""
