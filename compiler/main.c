/* machgen: the command line is a thin shell over the compiler library. */
#include <stdio.h>

#include "driver.h"

int main(int argc, char **argv)
{
    return mg_main(argc, argv, stdout, stderr);
}
