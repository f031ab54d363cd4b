# Rewrites tests/codegen/kitchen/kitchen.defs into the dialect Apple's migcom accepts,
# with the same routines at the same ids and the same messages (docs/interop.md).
# migcom takes no anonymous types in argument lists: name them (apple_compat.h).
s/xs : array\[\*:8\] of int/xs : anon_xs_t = array[*:8] of int/
s/out ys : array\[4\] of int/out ys : anon_ys_t = array[4] of int/
s/s : c_string\[\*:16\]/s : anon_s_t = c_string[*:16]/
# an inline struct[2] of int and an array[2] of int are the same 8 bytes on the wire
s/out pt : struct\[2\] of int)/out pt : anon_pt_t = array[2] of int)/
# migcom wants an explicit `in` on ValueOf and PointerToIfNot arguments
s/; g : geo_val_t)/; in g : geo_val_t)/
s/; g : geo_opt_t;/; in g : geo_opt_t;/
# migcom leaves the trailer field of ServerImpl/UserImpl arguments unnamed
# (`TrailerP->(null)`): implicit_data becomes a skipped id. (migcom also crashes
# generating the server of native_swap and native_opt: mig_interop.sh skips those two
# for Apple's server only.)
/^routine implicit_data(/,/);$/c\
skip;
