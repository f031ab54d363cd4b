/* Types of the audit trigger interface (audit_triggers.defs). */
#ifndef MACHGEN_MACH_AUDIT_TRIGGERS_TYPES_H
#define MACHGEN_MACH_AUDIT_TRIGGERS_TYPES_H

typedef const char *string_t;

#endif
