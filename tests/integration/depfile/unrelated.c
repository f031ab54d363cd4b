/* Depends on no generated file: it must never be rebuilt by a .defs edit. */
int unrelated_marker(void);
int unrelated_marker(void)
{
    return 2;
}
