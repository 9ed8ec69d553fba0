"""The Notificaties API (Open Notificaties): Balie's kanaal, its notifications, abonnementen."""
