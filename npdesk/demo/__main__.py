from npdesk.demo.build import main

main()
