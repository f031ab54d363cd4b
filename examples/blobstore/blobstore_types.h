/* C types named in blobstore.defs; the generated headers include this file (import). */
#ifndef BLOBSTORE_TYPES_H
#define BLOBSTORE_TYPES_H

typedef char blob_name_t[64];

#endif
