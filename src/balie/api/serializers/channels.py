"""Channel accounts as the API shows them (never a secret), and the bodies it takes."""

from __future__ import annotations

from rest_framework import serializers

from balie.conversations.models import Channel


class ChannelAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField()
    kind = serializers.ChoiceField(choices=Channel.choices)
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    settings = serializers.DictField(child=serializers.CharField())
    secrets = serializers.DictField(
        child=serializers.BooleanField(), help_text="Which secrets are set; never their values."
    )
    webhook_url = serializers.CharField(help_text="Where the channel sends its webhooks.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ChannelAccountCreateSerializer(serializers.Serializer):
    organisation = serializers.SlugField(required=False)
    kind = serializers.ChoiceField(choices=Channel.choices)
    name = serializers.CharField(max_length=100)
    settings = serializers.DictField(child=serializers.CharField(), required=False)
    secrets = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Write only."
    )


class ChannelAccountChangeSerializer(serializers.Serializer):
    settings = serializers.DictField(child=serializers.CharField(), required=False)
    secrets = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Replaced one by one."
    )
    enabled = serializers.BooleanField(required=False)
