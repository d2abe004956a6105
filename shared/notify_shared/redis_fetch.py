"""Redis only: take the messages already waiting on a queue in one round trip, for a batch to fill.

kombu's Redis transport delivers one message per BRPOP and then records it as unacked with a second
round trip, so a batch of 50 cost 100 round trips before any work was done. When the first message
of a batch has arrived the usual way, the rest of the batch is taken here by one Lua script that pops
up to N messages and writes, atomically with each pop, the same unacked bookkeeping kombu's QoS.append
writes (the hash entry `[payload, exchange, routing_key]` and the index score), so a worker that dies
holding them gets them restored after the visibility timeout exactly as with kombu's own path. The
messages are then registered with the channel's QoS as delivered, and acked like any other.

Only queues without priorities are read this way (kombu keeps priorities in other keys, which BRPOP
still serves), and not with a global key prefix (which kombu applies to commands, not to scripts).
"""
from __future__ import annotations

import hashlib
import json
import time

from kombu.message import Message
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from redis.exceptions import NoScriptError

from notify_shared.logging import get_logger

log = get_logger(__name__)

# An item that is not a kombu message (cannot be decoded) is pushed back where it was and ends the
# take: kombu's own path then delivers it and the consumer drops it as it drops any bad message.
_TAKE = """
local taken = {}
for _ = 1, tonumber(ARGV[1]) do
  local item = redis.call('RPOP', KEYS[1])
  if not item then break end
  local ok, props = pcall(function() return cjson.decode(item)['properties'] end)
  if not ok or type(props) ~= 'table' or props['delivery_tag'] == nil
     or type(props['delivery_info']) ~= 'table' then
    redis.call('RPUSH', KEYS[1], item)
    break
  end
  local tag = props['delivery_tag']
  local info = props['delivery_info']
  redis.call('ZADD', KEYS[3], ARGV[2], tag)
  redis.call('HSET', KEYS[2], tag,
             '[' .. item .. ', ' .. cjson.encode(info['exchange']) .. ', ' .. cjson.encode(info['routing_key']) .. ']')
  taken[#taken + 1] = item
end
return taken
"""

# Hashed once: registering the script per call cost a SHA-1 of it on every take.
_TAKE_SHA = hashlib.sha1(_TAKE.encode()).hexdigest()


def supports_take(channel) -> bool:  # noqa: ANN001 - a kombu channel of any transport
    return (isinstance(channel, kombu_redis.Channel) and isinstance(channel.qos, kombu_redis.QoS)
            and not channel.global_keyprefix)


def take_waiting(channel, queue: str, limit: int) -> list[Message]:  # noqa: ANN001 - kombu's Redis channel
    """Up to `limit` messages waiting on `queue`, recorded as unacked and delivered to this channel."""
    if limit <= 0:
        return []
    qos = channel.qos
    keys_and_args = (queue, qos.unacked_key, qos.unacked_index_key, limit, time.time())
    with channel.conn_or_acquire() as client:
        try:
            items = client.evalsha(_TAKE_SHA, 3, *keys_and_args)
        except NoScriptError:  # first use on this Redis, or after a SCRIPT FLUSH or restart
            items = client.eval(_TAKE, 3, *keys_and_args)
    messages = []
    for item in items:
        message = channel.Message(json.loads(item), channel=channel)
        # What kombu's QoS.append does after its own round trip; the script already wrote the rest.
        virtual.QoS.append(qos, message, message.delivery_tag)
        messages.append(message)
    return messages
