"""Written by `./dev i18n` (webui/catalogs.py cldr_table) from Babel's CLDR data: the few
pieces the pages' formats use (webui/formats.py). The web process reads this table instead of
loading Babel's locale data, which costs it 5 MB to write a date."""

TABLE = {'en': {'ago': {'day': {'one': '{0} day ago', 'other': '{0} days ago'},
                'hour': {'one': '{0} hour ago', 'other': '{0} hours ago'},
                'minute': {'one': '{0} minute ago', 'other': '{0} minutes ago'}},
        'days': ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
        'decimal': '.',
        'group': ',',
        'months': ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
        'time': 'HH:mm'},
 'id': {'ago': {'day': {'other': '{0} hari yang lalu'},
                'hour': {'other': '{0} jam yang lalu'},
                'minute': {'other': '{0} menit yang lalu'}},
        'days': ['Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab', 'Min'],
        'decimal': ',',
        'group': '.',
        'months': ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
        'time': 'HH.mm'}}
