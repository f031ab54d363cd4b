// The same ABI assertions compiled as C++: the headers must give C++ code
// identical layouts and usable declarations.
#include "abi_asserts.h"

#include <cstring>

int main()
{
	mach_msg_port_descriptor_t d;
	std::memset(&d, 0, sizeof(d));
	d.disposition = MACH_MSG_TYPE_MOVE_SEND;
	d.type = MACH_MSG_PORT_DESCRIPTOR;
	const unsigned char *b = reinterpret_cast<const unsigned char *>(&d);
	if (b[10] != MACH_MSG_TYPE_MOVE_SEND || b[11] != MACH_MSG_PORT_DESCRIPTOR)
		return 1;
	mach_port_options_t opts = {};
	opts.flags = MPO_INSERT_SEND_RIGHT;
	opts.work_interval_port = MACH_PORT_NULL;
	return opts.flags == MPO_INSERT_SEND_RIGHT ? 0 : 1;
}
