/* Port notifications: ids and the messages the kernel sends. */
#ifndef MACHGEN_MACH_NOTIFY_H
#define MACHGEN_MACH_NOTIFY_H

#include <mach/port.h>
#include <mach/message.h>
#include <mach/ndr.h>

#define MACH_NOTIFY_FIRST          0100
#define MACH_NOTIFY_PORT_DELETED   (MACH_NOTIFY_FIRST + 001) /* send(-once) right deleted */
#define MACH_NOTIFY_SEND_POSSIBLE  (MACH_NOTIFY_FIRST + 002) /* sending is possible again */
#define MACH_NOTIFY_PORT_DESTROYED (MACH_NOTIFY_FIRST + 005) /* receive right would be destroyed */
#define MACH_NOTIFY_NO_SENDERS     (MACH_NOTIFY_FIRST + 006) /* no send rights remain */
#define MACH_NOTIFY_SEND_ONCE      (MACH_NOTIFY_FIRST + 007) /* send-once right died unused */
#define MACH_NOTIFY_DEAD_NAME      (MACH_NOTIFY_FIRST + 010) /* right became a dead name */
#define MACH_NOTIFY_LAST           (MACH_NOTIFY_FIRST + 015)

typedef mach_port_t notify_port_t;

/* Received forms: each ends with the format-0 (security) trailer. */
typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port; /* plain name, no right */
	mach_msg_format_0_trailer_t trailer;
} mach_port_deleted_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port; /* plain name, no right */
	mach_msg_format_0_trailer_t trailer;
} mach_send_possible_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	mach_msg_body_t             not_body;
	mach_msg_port_descriptor_t  not_port; /* carries the receive right */
	mach_msg_format_0_trailer_t trailer;
} mach_port_destroyed_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_msg_type_number_t      not_count; /* make-send count */
	mach_msg_format_0_trailer_t trailer;
} mach_no_senders_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	mach_msg_format_0_trailer_t trailer;
} mach_send_once_notification_t;

typedef struct {
	mach_msg_header_t           not_header;
	NDR_record_t                NDR;
	mach_port_name_t            not_port; /* plain name, no right */
	mach_msg_format_0_trailer_t trailer;
} mach_dead_name_notification_t;

#endif
