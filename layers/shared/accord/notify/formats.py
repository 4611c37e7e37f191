"""What a webhook receives: `standard` — the CloudEvent itself (Standard Webhooks signed);
`slack` — a Slack incoming-webhook message: the summary as text, the links as buttons."""
import json

STANDARD, SLACK = "standard", "slack"
FORMATS = (STANDARD, SLACK)


def slack_message(event: dict) -> dict:
    data = event.get("data") or {}
    summary = data.get("summary") or event["type"]
    links = data.get("links") or {}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": summary}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": f"`{event['type']}` · {event['time']}"}]}]
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}
               for label, url in (("Open in Accord", links.get("ui")), ("API", links.get("api")))
               if url and url.startswith(("https://", "http://"))]  # Slack needs absolute URLs
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": summary, "blocks": blocks}


def body(event: dict, fmt: str) -> bytes:
    payload = slack_message(event) if fmt == SLACK else event
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
