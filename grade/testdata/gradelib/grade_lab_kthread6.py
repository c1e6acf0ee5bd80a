#!/usr/bin/env python3
# A made-up course script in gradelib's style, written for xv6emu's tests:
# six threadtest cases worth 90 points and usertests worth 10.

import re
from gradelib import *

r = Runner(save("xv6.out"))

THREADTEST_TIMEOUT = 45
usertests_kw = {"timeout": 300}

@test(0, "running threadtest")
def test_threadtest():
    r.run_qemu(shell_script([
        'threadtest'
    ]), timeout=THREADTEST_TIMEOUT)

@test(10, "threadtest: test1", parent=test_threadtest)
def test_threadtest_1():
    r.match('^TEST1 PASSED$')

@test(10, "threadtest: test2", parent=test_threadtest)
def test_threadtest_2():
    r.match("^TEST2 PASSED$")

@test(30,
      "threadtest: test3",
      parent = test_threadtest)
def test_threadtest_3():
    # The ticket lock case; "(parens)" in a comment must not confuse anyone.
    r.match(r'^TEST3 PASSED$')

@test(10, "threadtest: test4", parent=test_threadtest)
def test_threadtest_4(): r.match('^TEST4 PASSED$', no=[r"^TEST4 FAILED"])

@test(10, title="threadtest: test5", parent=test_threadtest)
def test_threadtest_5():
    r.match('^TEST5 ' 'PASSED$')

@test(20, "threadtest: test6", parent=test_threadtest)
def test_threadtest_6():
    r.match('^TEST6 PASSED$')

@test(10, "usertests")
def test_usertests():
    r.run_qemu(shell_script(["usertests"]), **usertests_kw)
    r.match(r'^ALL TESTS PASSED$')

@test(1, "time")
def test_time():
    check_time()

run_tests()
