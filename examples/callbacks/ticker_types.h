/* C types named in ticker.defs and ticker_events.defs (both import this file). */
#ifndef TICKER_TYPES_H
#define TICKER_TYPES_H

typedef char topic_t[32];
typedef char event_text_t[128];

#endif
