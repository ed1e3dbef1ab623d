/* Links every object of the core library (base, proto, rtc, sfu, room)
 * with nothing of the I/O shell: the build fails if the sans-IO core ever
 * calls into io/, http/, api/, store/ or client/. Never run. */
int main(void)
{
    return 0;
}
