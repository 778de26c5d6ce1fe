"""Writes of a person's calendar feed (clinic.calendar_feed): made on first use, reset on
request (the old URL then finds nothing: 404)."""

import secrets

from django.db import IntegrityError, transaction

from accounts.models import User
from clinic.calendar_feed import feed_token, token_digest
from clinic.models import CalendarFeed


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_token(*, user: User) -> str:
    """The token of `user`'s feed, made on first use. If the site's secret changed since, the
    stored digest is brought up to date (the old URL stopped working with the secret)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        feed = CalendarFeed(user=user, key=_new_key())
        feed.token_digest = token_digest(feed_token(feed))
        try:
            with transaction.atomic():
                feed.save()
        except IntegrityError:  # the same person's other tab made it first
            feed = CalendarFeed.objects.get(user=user)
    token = feed_token(feed)
    if feed.token_digest != token_digest(token):
        feed.token_digest = token_digest(token)
        feed.save(update_fields=["token_digest"])
    return token


def calendar_feed_reset(*, user: User) -> str:
    """A new feed URL for `user`; the old one answers 404 from now on. Returns the token."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return calendar_feed_token(user=user)
