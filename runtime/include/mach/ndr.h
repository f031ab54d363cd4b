/* Network Data Representation tag carried by MIG messages after the header. */
#ifndef MACHGEN_MACH_NDR_H
#define MACHGEN_MACH_NDR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned char mig_vers;
	unsigned char if_vers;
	unsigned char reserved1;
	unsigned char mig_encoding;
	unsigned char int_rep;
	unsigned char char_rep;
	unsigned char float_rep;
	unsigned char reserved2;
} NDR_record_t;

#define NDR_PROTOCOL_2_0      0
#define NDR_INT_BIG_ENDIAN    0
#define NDR_INT_LITTLE_ENDIAN 1
#define NDR_FLOAT_IEEE        0
#define NDR_FLOAT_VAX         1
#define NDR_FLOAT_CRAY        2
#define NDR_FLOAT_IBM         3
#define NDR_CHAR_ASCII        0
#define NDR_CHAR_EBCDIC       1

/* The local representation: bytes 00 00 00 00 01 00 00 00 on little-endian hosts. */
extern NDR_record_t NDR_record;

/* Conversion hooks stay off: the record is in practice a constant tag. */
#ifndef __NDR_convert__
#define __NDR_convert__ 0
#endif
#ifndef __NDR_convert__int_rep__
#define __NDR_convert__int_rep__ __NDR_convert__
#endif
#ifndef __NDR_convert__char_rep__
#define __NDR_convert__char_rep__ 0
#endif
#ifndef __NDR_convert__float_rep__
#define __NDR_convert__float_rep__ 0
#endif

#ifdef __cplusplus
}
#endif

#endif
